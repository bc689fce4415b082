"""The root query: each resource by id and as a list, plus ``node``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.permission import PermissionExtension

from resolvers.errors import BadUserInput
from resolvers.lists import PageRequest
from resolvers.loaders import object_type_of
from schema.arguments import (
    Active,
    After,
    Before,
    CreatedAfter,
    CreatedBefore,
    Email,
    First,
    Last,
    ObjectId,
    OfCharge,
    OfCustomer,
    OfPaymentIntent,
    OfPrice,
    OfProduct,
    OfSubscription,
    created_filter,
    filters,
)
from schema.base import GatewayInfo, Node, StripeValue
from schema.customers import Customer
from schema.invoices import Invoice, InvoiceStatusFilter
from schema.payments import Charge, PaymentIntent, Refund
from schema.permissions import NodeScope
from schema.products import Price, PriceTypeFilter, Product
from schema.relay import Connection
from schema.selection import plan, planned_page
from schema.subscriptions import (
    Subscription,
    SubscriptionItem,
    SubscriptionStatusFilter,
)
from schema.viewer import Viewer, viewer

T = TypeVar("T")

NODE_TYPES: dict[str, type[StripeValue]] = {
    "customer": Customer,
    "product": Product,
    "price": Price,
    "payment_intent": PaymentIntent,
    "charge": Charge,
    "refund": Refund,
    "invoice": Invoice,
    "subscription": Subscription,
    "subscription_item": SubscriptionItem,
}


async def _list(
    info: GatewayInfo,
    path: str,
    params: dict[str, Any],
    page: tuple[int | None, str | None, int | None, str | None],
    build: Callable[[dict[str, Any]], T],
) -> Connection[T]:
    request = PageRequest.from_args(*page)
    return Connection.of(await planned_page(info, path, params, request), build)


def _value(member: Any) -> Any:
    return None if member is None else member.value


@strawberry.type(description="Read the Stripe account as one graph.")
class Query:
    @strawberry.field(description="Who is asking, and the scopes the request holds.")
    def viewer(self, info: GatewayInfo) -> Viewer:
        return viewer(info)

    @strawberry.field(
        description="Any object by its Stripe id, judged by prefix.",
        extensions=[PermissionExtension([NodeScope()], use_directives=False)],
    )
    async def node(self, info: GatewayInfo, id: ObjectId) -> Node | None:
        object_type = object_type_of(id)
        if object_type not in NODE_TYPES:
            kinds = ", ".join(name.replace("_", " ") for name in NODE_TYPES)
            raise BadUserInput(f"'{id}' is not the id of a {kinds}.")
        found = await info.context.load(object_type, id, plan(info, object_type))
        return NODE_TYPES[object_type].from_stripe(found)  # type: ignore[return-value]

    @strawberry.field(description="A customer by id.")
    async def customer(self, info: GatewayInfo, id: ObjectId) -> Customer | None:
        return Customer.from_stripe(
            await info.context.load("customer", id, plan(info, "customer"))
        )

    @strawberry.field(description="Customers, newest first.")
    async def customers(
        self,
        info: GatewayInfo,
        email: Email = None,
        created_after: CreatedAfter = None,
        created_before: CreatedBefore = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Customer] | None:
        params = filters(email=email) | created_filter(created_after, created_before)
        page = (first, after, last, before)
        return await _list(info, "/v1/customers", params, page, Customer.from_stripe)

    @strawberry.field(description="A product by id.")
    async def product(self, info: GatewayInfo, id: ObjectId) -> Product | None:
        return Product.from_stripe(await info.context.load("product", id))

    @strawberry.field(description="Products, newest first.")
    async def products(
        self,
        info: GatewayInfo,
        active: Active = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Product] | None:
        params = filters(active=active)
        page = (first, after, last, before)
        return await _list(info, "/v1/products", params, page, Product.from_stripe)

    @strawberry.field(description="A price by id.")
    async def price(self, info: GatewayInfo, id: ObjectId) -> Price | None:
        return Price.from_stripe(
            await info.context.load("price", id, plan(info, "price"))
        )

    @strawberry.field(description="Prices, newest first.")
    async def prices(
        self,
        info: GatewayInfo,
        product: OfProduct = None,
        active: Active = None,
        type: Annotated[
            PriceTypeFilter | None,
            strawberry.argument(description="Only one-time or only recurring prices."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Price] | None:
        params = filters(product=product, active=active, type=_value(type))
        page = (first, after, last, before)
        return await _list(info, "/v1/prices", params, page, Price.from_stripe)

    @strawberry.field(description="A payment intent by id.")
    async def payment_intent(
        self, info: GatewayInfo, id: ObjectId
    ) -> PaymentIntent | None:
        return PaymentIntent.from_stripe(
            await info.context.load("payment_intent", id, plan(info, "payment_intent"))
        )

    @strawberry.field(description="Payment intents, newest first.")
    async def payment_intents(
        self,
        info: GatewayInfo,
        customer: OfCustomer = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[PaymentIntent] | None:
        params = filters(customer=customer)
        page = (first, after, last, before)
        build = PaymentIntent.from_stripe
        return await _list(info, "/v1/payment_intents", params, page, build)

    @strawberry.field(description="A charge by id.")
    async def charge(self, info: GatewayInfo, id: ObjectId) -> Charge | None:
        return Charge.from_stripe(
            await info.context.load("charge", id, plan(info, "charge"))
        )

    @strawberry.field(description="Charges, newest first.")
    async def charges(
        self,
        info: GatewayInfo,
        customer: OfCustomer = None,
        payment_intent: OfPaymentIntent = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Charge] | None:
        params = filters(customer=customer, payment_intent=payment_intent)
        page = (first, after, last, before)
        return await _list(info, "/v1/charges", params, page, Charge.from_stripe)

    @strawberry.field(description="A refund by id.")
    async def refund(self, info: GatewayInfo, id: ObjectId) -> Refund | None:
        return Refund.from_stripe(
            await info.context.load("refund", id, plan(info, "refund"))
        )

    @strawberry.field(description="Refunds, newest first.")
    async def refunds(
        self,
        info: GatewayInfo,
        charge: OfCharge = None,
        payment_intent: OfPaymentIntent = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Refund] | None:
        params = filters(charge=charge, payment_intent=payment_intent)
        page = (first, after, last, before)
        return await _list(info, "/v1/refunds", params, page, Refund.from_stripe)

    @strawberry.field(description="An invoice by id.")
    async def invoice(self, info: GatewayInfo, id: ObjectId) -> Invoice | None:
        return Invoice.from_stripe(
            await info.context.load("invoice", id, plan(info, "invoice"))
        )

    @strawberry.field(description="Invoices, newest first.")
    async def invoices(
        self,
        info: GatewayInfo,
        customer: OfCustomer = None,
        subscription: OfSubscription = None,
        status: Annotated[
            InvoiceStatusFilter | None,
            strawberry.argument(description="Only invoices in this status."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Invoice] | None:
        params = filters(
            customer=customer, subscription=subscription, status=_value(status)
        )
        page = (first, after, last, before)
        return await _list(info, "/v1/invoices", params, page, Invoice.from_stripe)

    @strawberry.field(description="A subscription by id.")
    async def subscription(
        self, info: GatewayInfo, id: ObjectId
    ) -> Subscription | None:
        return Subscription.from_stripe(
            await info.context.load("subscription", id, plan(info, "subscription"))
        )

    @strawberry.field(description="Subscriptions, newest first.")
    async def subscriptions(
        self,
        info: GatewayInfo,
        customer: OfCustomer = None,
        price: OfPrice = None,
        status: Annotated[
            SubscriptionStatusFilter | None,
            strawberry.argument(
                description="Only subscriptions in this status; all but canceled "
                "when omitted."
            ),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Subscription] | None:
        params = filters(customer=customer, price=price, status=_value(status))
        page = (first, after, last, before)
        build = Subscription.from_stripe
        return await _list(info, "/v1/subscriptions", params, page, build)
